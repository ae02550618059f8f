/*
 * Copyright (c) 2022, Oracle and/or its affiliates. All rights reserved.
 * Licensed under the MIT License.
 */

/** Classes for controlling the behavior of ONNX Runtime Execution Providers. */
package ai.onnxruntime.providers;
