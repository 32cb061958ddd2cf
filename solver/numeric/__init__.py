"""Numeric answers with numpy: convolution forward pass, gradients and full Jacobians."""

from solver.numeric.conv import (ConvGradients, JacobianTooLarge, conv_backward, conv_forward,
                                 conv_input_gradient, conv_jacobian, conv_weight_gradient)
from solver.numeric.layer import layer_gradient, layer_jacobian, layer_output

__all__ = ["ConvGradients", "JacobianTooLarge", "conv_backward", "conv_forward",
           "conv_input_gradient", "conv_jacobian", "conv_weight_gradient", "layer_gradient",
           "layer_jacobian", "layer_output"]
