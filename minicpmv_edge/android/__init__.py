"""Android side of the SDK on the build host: the offline APK build (`minicpmv-edge apk`) and `adb push` of bundles."""
