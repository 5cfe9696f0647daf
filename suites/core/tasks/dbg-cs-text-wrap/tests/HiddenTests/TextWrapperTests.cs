using Driftwatch.TestKit;
using Formatting;

public static class TextWrapperTests
{
    [Test]
    public static void ReportedExample() =>
        Check.SequenceEqual(["the quick brown fox", "jumps over"], TextWrapper.Wrap("the quick brown fox jumps over", 19));

    [Test]
    public static void LineMayBeExactlyWidth()
    {
        Check.SequenceEqual(["ab cd", "ef"], TextWrapper.Wrap("ab cd ef", 5));
        Check.SequenceEqual(["a b c"], TextWrapper.Wrap("a b c", 5));
    }

    [Test]
    public static void LineOneOverWidthWraps()
    {
        Check.SequenceEqual(["abc", "d"], TextWrapper.Wrap("abc d", 4));
        Check.SequenceEqual(["ab", "cd", "ef"], TextWrapper.Wrap("ab cd ef", 4));
    }

    [Test]
    public static void IndentCountsTowardsWidth()
    {
        Check.SequenceEqual(["> ab cd", "> ef"], TextWrapper.Wrap("ab cd ef", 7, "> "));
        Check.SequenceEqual(["> ab", "> cd", "> ef"], TextWrapper.Wrap("ab cd ef", 6, "> "));
    }

    [Test]
    public static void GreedyFilling() =>
        Check.SequenceEqual(
            ["Lorem ipsum dolor sit", "amet, consectetur", "adipiscing elit."],
            TextWrapper.Wrap("Lorem ipsum dolor sit amet, consectetur adipiscing elit.", 22));

    [Test]
    public static void LongWordsAreCut()
    {
        Check.SequenceEqual(["abcdefghij", "klmnopqrst", "uvwxy z"], TextWrapper.Wrap("abcdefghijklmnopqrstuvwxy z", 10));
        Check.SequenceEqual(["ab", "abcdefghij"], TextWrapper.Wrap("ab abcdefghij", 10));
        Check.SequenceEqual(["- abc", "- def", "- g h"], TextWrapper.Wrap("abcdefg h", 5, "- "));
    }

    [Test]
    public static void PiecesArePlacedLikeWords()
    {
        Check.SequenceEqual(["xy", "abcdefgh", "ijk lm"], TextWrapper.Wrap("xy abcdefghijk lm", 8));
        Check.SequenceEqual(["xy", "abcdef", "ghijk", "lm"], TextWrapper.Wrap("xy abcdefghijk lm", 6));
    }

    [Test]
    public static void ParagraphsAreSeparatedByOneEmptyLine() =>
        Check.SequenceEqual(["one two", "three", "", "four", "", "five six"],
            TextWrapper.Wrap("one two three\r\n\r\n  \nfour\n\t\n\nfive\nsix\n", 9));

    [Test]
    public static void WhitespaceIsNormalised() =>
        Check.SequenceEqual(["a b c d"], TextWrapper.Wrap("  a \t b\nc     d  ", 20));

    [Test]
    public static void EmptyTextGivesNoLines()
    {
        Check.Equal(0, TextWrapper.Wrap("", 10).Count);
        Check.Equal(0, TextWrapper.Wrap(" \n\t\r\n ", 10).Count);
    }

    [Test]
    public static void WidthOne() =>
        Check.SequenceEqual(["a", "b", "c", "d"], TextWrapper.Wrap("a bc d", 1));

    [Test]
    public static void InvalidArguments()
    {
        Check.Throws<ArgumentOutOfRangeException>(() => TextWrapper.Wrap("a", 0), "width 0");
        Check.Throws<ArgumentException>(() => TextWrapper.Wrap("a", 2, "> "), "indent too long");
        Check.Throws<ArgumentNullException>(() => TextWrapper.Wrap(null!, 5), "null text");
        Check.Throws<ArgumentNullException>(() => TextWrapper.Wrap("a", 5, null!), "null indent");
    }
}
