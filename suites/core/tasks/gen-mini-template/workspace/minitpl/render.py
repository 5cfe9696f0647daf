from .errors import TemplateError
from .lexer import tokenize


def render(source, context):
    """Render the template source with the values in the dict context."""
    raise NotImplementedError
