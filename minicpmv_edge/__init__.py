"""minicpmv-edge: MiniCPM-V on phones and NPUs, open and measured."""

__version__ = "0.1.0"
