"""A tiny template engine: {{ variables | filters }} and {% if %} blocks."""
from .errors import TemplateError
from .lexer import tokenize
from .render import render

__all__ = ["TemplateError", "tokenize", "render"]
