"""Numeric answers with numpy: forward passes, gradients and full Jacobians of layers and networks."""

from solver.numeric.conv import (ConvGradients, JacobianTooLarge, conv_backward, conv_forward,
                                 conv_input_gradient, conv_jacobian, conv_weight_gradient)
from solver.numeric.layer import (layer_gradient, layer_jacobian, layer_output, network_gradient,
                                  network_jacobian, network_output)

__all__ = ["ConvGradients", "JacobianTooLarge", "conv_backward", "conv_forward",
           "conv_input_gradient", "conv_jacobian", "conv_weight_gradient", "layer_gradient",
           "layer_jacobian", "layer_output", "network_gradient", "network_jacobian",
           "network_output"]
