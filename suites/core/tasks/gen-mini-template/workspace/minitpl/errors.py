class TemplateError(Exception):
    """Raised for any syntax or rendering error in a template."""
