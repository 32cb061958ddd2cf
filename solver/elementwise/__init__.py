"""Element-wise (index) answers: conv outputs, Jacobians and loss gradients, and their exact evaluation."""

from solver.elementwise.conv import (WRT_CHOICES, jacobian_element, loss_gradient_element,
                                     output_element)
from solver.elementwise.evaluate import (EvaluationError, compile_expression, evaluate)
from solver.elementwise.indices import free_index_ranges

__all__ = ["WRT_CHOICES", "EvaluationError", "compile_expression", "evaluate",
           "free_index_ranges", "jacobian_element", "loss_gradient_element", "output_element"]
