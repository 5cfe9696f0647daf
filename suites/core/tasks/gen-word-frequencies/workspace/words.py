def top_words(text, n):
    """Return the n most frequent words of text as (word, count) tuples."""
    raise NotImplementedError
