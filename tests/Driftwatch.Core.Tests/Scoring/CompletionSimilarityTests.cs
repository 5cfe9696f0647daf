using Driftwatch.Core.Scoring;
using Shouldly;

namespace Driftwatch.Core.Tests.Scoring;

public sealed class CompletionSimilarityTests
{
    private const string Workspace = "def claim(title):\n    slug = slugify(title)\n    # TODO: fill in this gap\n    raise NotImplementedError\n\n\ndef other():\n    return 1\n";
    private const string Solution = "def claim(title):\n    slug = slugify(title)\n    while slug in taken:\n        slug = bump(slug)\n    return slug\n\n\ndef other():\n    return 1\n";
    private static readonly FileChange[] Reference = [new("slugs.py", Workspace, Solution)];

    [Fact]
    public void A_fill_equal_to_the_reference_up_to_whitespace_is_an_exact_match_with_similarity_one()
    {
        // Given an agent that filled the gap like the reference, with other indentation and a blank line
        var agent = "def claim(title):\n    slug = slugify(title)\n    while  slug in taken:\n\n      slug = bump(slug)\n    return slug\n\n\ndef other():\n    return 1\n";

        // When its completion is measured
        var score = CompletionSimilarity.Measure(Reference, _ => agent)!;

        // Then it matches exactly, and the fills compared are the gap's lines only
        score.ExactMatch.ShouldBe(1);
        score.EditSimilarity.ShouldBe(1);
        score.ReferenceFill.ShouldBe("while slug in taken:\nslug = bump(slug)\nreturn slug");
    }

    [Fact]
    public void A_different_fill_scores_one_minus_its_levenshtein_distance_over_the_longer_fill()
    {
        // Given an agent whose fill differs from the reference's by one character ("bump" → "bunp")
        // and that also edited a line far from the gap (not part of its fill)
        var agent = Solution.Replace("bump", "bunp", StringComparison.Ordinal).Replace("return 1", "return 2", StringComparison.Ordinal);

        // When its completion is measured
        var score = CompletionSimilarity.Measure(Reference, _ => agent)!;

        // Then it is no exact match, and its similarity is 1 − 1/len(reference fill)
        var length = "while slug in taken:\nslug = bump(slug)\nreturn slug".Length;
        score.ExactMatch.ShouldBe(0);
        score.EditSimilarity.ShouldBe(1 - 1.0 / length, 1e-12);
        score.AgentFill.ShouldBe("while slug in taken:\nslug = bunp(slug)\nreturn slug");
    }

    [Fact]
    public void A_gap_left_as_it_was_is_compared_as_its_marker_lines()
    {
        // Given an agent that changed nothing
        // When its completion is measured
        var score = CompletionSimilarity.Measure(Reference, _ => Workspace)!;

        // Then its fill is the gap's own marker lines, far from the reference's
        score.AgentFill.ShouldBe("# TODO: fill in this gap\nraise NotImplementedError");
        score.ExactMatch.ShouldBe(0);
        score.EditSimilarity.ShouldBeLessThan(0.5);
    }

    [Fact]
    public void A_deleted_file_fills_the_gap_with_nothing()
    {
        // Given an agent that deleted the file
        // When its completion is measured
        var score = CompletionSimilarity.Measure(Reference, _ => null)!;

        // Then its fill is empty, and its similarity zero
        score.AgentFill.ShouldBe("");
        score.EditSimilarity.ShouldBe(0);
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("same", "same", 0)]
    public void Levenshtein_distance_counts_single_character_edits(string a, string b, int distance)
    {
        CompletionSimilarity.Levenshtein(a, b).ShouldBe(distance);
        CompletionSimilarity.Levenshtein(b, a).ShouldBe(distance);
    }

    [Fact]
    public void A_reference_that_adds_only_new_files_has_no_gap()
    {
        // Given a reference that only adds a file the workspace did not have
        // When a completion is measured against it
        // Then there is no gap to compare: no score (absent, not zero)
        CompletionSimilarity.Measure([new FileChange("new.py", null, "x = 1\n")], _ => "x = 1\n").ShouldBeNull();
    }
}
