using Driftwatch.Execution.Sandbox;
using Driftwatch.Execution.Scoring.Scorers;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Execution.Tests.Scoring.Scorers;

/// <summary>
/// The real linters in bubblewrap on small files with known findings and complexity. A missing tool
/// fails these tests (CI installs them: .ci/run); only a machine where bwrap cannot run skips them.
/// </summary>
public sealed class LintToolTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("lint-tools");
    private ToolSandbox _tools = null!;

    public async ValueTask InitializeAsync()
    {
        var problem = await SandboxFactory.ProbeBubblewrapAsync(CancellationToken.None);
        Assert.SkipWhen(problem is not null, $"bubblewrap unavailable: {problem}");
        _tools = new ToolSandbox(new BubblewrapSandbox(SandboxFactory.FindOnPath("bwrap")!), []);
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }

    private string Folder(IReadOnlyDictionary<string, string> files)
    {
        var folder = _temp.Combine("files-" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        return folder;
    }

    private static PythonTools Python()
    {
        var tools = new PythonTools();
        tools.Unavailable().ShouldBeNull("the Python scorer needs Debian's python3-pyflakes, pycodestyle and python3-mccabe (.ci/run installs them)");
        return tools;
    }

    private static EslintTool Eslint()
    {
        var tool = new EslintTool(EslintTool.FindInstallation());
        tool.Unavailable().ShouldBeNull("the JavaScript scorer needs ESLint in tools/eslint (npm ci there; .ci/run does)");
        return tool;
    }

    private const string PythonSample = """
        import os
        def f(x):
            if x:
                return 1
            for i in range(3):
                if i and x:
                    pass
            return 2
        class C:
            def m(self):
                return [y for y in range(2) if y]
        if __name__ == "__main__":
            print(f(1))

        """;

    [Fact]
    public async Task Python_findings_are_pyflakes_and_pycodestyle_messages_and_complexity_is_mccabe_summed_over_the_file()
    {
        // Given a file with one unused import (pyflakes), three missing blank-line pairs
        // (pycodestyle E302, E302, E305) and mccabe graphs of 4 (f), 1 (C.m) and 2 (the module's if)
        var folder = Folder(new Dictionary<string, string> { ["pkg/sample.py"] = PythonSample, ["clean.py"] = "X = 1\n" });

        // When the Python tools measure it in the sandbox
        var figures = await Python().MeasureAsync(_tools, folder, _temp.Combine("scratch"), ["pkg/sample.py", "clean.py"], CancellationToken.None);

        // Then it has 4 findings and complexity 7; the clean file none and 0
        figures.Notes.ShouldBeEmpty();
        figures.Files["pkg/sample.py"].ShouldBe(new FileFigures(4, 7));
        figures.Files["clean.py"].ShouldBe(new FileFigures(0, 0));
    }

    [Fact]
    public async Task A_python_file_that_does_not_parse_counts_its_syntax_errors_and_has_no_complexity()
    {
        // Given a file with a syntax error
        var folder = Folder(new Dictionary<string, string> { ["broken.py"] = "def (:\n" });

        // When the Python tools measure it
        var figures = await Python().MeasureAsync(_tools, folder, _temp.Combine("scratch"), ["broken.py"], CancellationToken.None);

        // Then pyflakes' syntax error and pycodestyle's token error are its findings; its complexity is unknown (with a note), not zero
        figures.Files["broken.py"].ShouldBe(new FileFigures(2, null));
        figures.Notes.ShouldContain(n => n.Contains("mccabe could not parse broken.py"));
    }

    [Fact]
    public async Task Python_files_named_like_the_linters_modules_are_read_never_imported()
    {
        // Given changed files named like the modules the tools run, each writing a marker when imported
        var planted = "open('IMPORTED', 'w').write('ran')\n";
        var folder = Folder(new Dictionary<string, string> { ["pyflakes.py"] = planted, ["pycodestyle.py"] = planted, ["mccabe.py"] = planted, ["runpy.py"] = planted });

        // When the Python tools measure them
        var figures = await Python().MeasureAsync(_tools, folder, _temp.Combine("scratch"), ["pyflakes.py", "pycodestyle.py", "mccabe.py", "runpy.py"], CancellationToken.None);

        // Then none of them ran (no marker), and each was measured as text
        File.Exists(Path.Combine(folder, "IMPORTED")).ShouldBeFalse();
        figures.Notes.ShouldBeEmpty();
        figures.Files["mccabe.py"].ShouldBe(new FileFigures(0, 0));
    }

    private const string JavaScriptSample = """
        'use strict';

        function pick(a) {
          if (a) {
            return 1;
          }
          const unused = 2;
          return a ? 3 : 4;
        }

        module.exports = { pick };

        """;

    [Fact]
    public async Task JavaScript_findings_are_eslint_messages_and_complexity_is_its_complexity_rule_summed_over_the_file()
    {
        // Given a file with an unused variable and a function of complexity 3 (1 + if + ?:), and a
        // file with an undefined name in a function of complexity 2 behind a comment that disables ESLint
        var folder = Folder(new Dictionary<string, string>
        {
            ["src/pick.js"] = JavaScriptSample,
            ["lib/g.cjs"] = "/* eslint-disable */\nfunction g(x) { return x == null ? undefinedName : x; }\nmodule.exports = { g };\n",
        });

        // When ESLint measures them in the sandbox
        var figures = await Eslint().MeasureAsync(_tools, folder, _temp.Combine("scratch"), ["src/pick.js", "lib/g.cjs"], CancellationToken.None);

        // Then each has one finding (the comment hides nothing) and its complexity
        figures.Notes.ShouldBeEmpty();
        figures.Files["src/pick.js"].ShouldBe(new FileFigures(1, 3));
        figures.Files["lib/g.cjs"].ShouldBe(new FileFigures(1, 2));
    }

    [Fact]
    public async Task An_eslint_configuration_in_the_linted_files_is_neither_run_nor_used()
    {
        // Given a change with an eslint.config.js that writes a marker and turns every rule off,
        // beside a file with one finding
        var hostile = """
            import fs from "node:fs";
            fs.writeFileSync("CONFIG-RAN", "yes");
            export default [{ rules: { "no-unused-vars": "off", complexity: "off" } }];

            """;
        var folder = Folder(new Dictionary<string, string> { ["eslint.config.js"] = hostile, ["eslint.config.mjs"] = hostile, ["pick.js"] = JavaScriptSample });

        // When ESLint measures the change (the config files are JavaScript of the change too)
        var figures = await Eslint().MeasureAsync(_tools, folder, _temp.Combine("scratch"), ["eslint.config.js", "pick.js"], CancellationToken.None);

        // Then the planted configuration never ran, and Driftwatch's rules judged the file
        File.Exists(Path.Combine(folder, "CONFIG-RAN")).ShouldBeFalse();
        figures.Files["pick.js"].ShouldBe(new FileFigures(1, 3));
        figures.Files["eslint.config.js"].Findings.ShouldBe(0);
    }

    [Fact]
    public async Task A_javascript_file_that_does_not_parse_is_one_finding_with_no_complexity()
    {
        // Given a file ESLint cannot parse
        var folder = Folder(new Dictionary<string, string> { ["bad.js"] = "function (\n" });

        // When ESLint measures it
        var figures = await Eslint().MeasureAsync(_tools, folder, _temp.Combine("scratch"), ["bad.js"], CancellationToken.None);

        // Then the parse error is its one finding and its complexity is unknown, with a note
        figures.Files["bad.js"].ShouldBe(new FileFigures(1, null));
        figures.Notes.ShouldContain(n => n.Contains("could not parse bad.js"));
    }

    [Fact]
    public async Task Without_a_confining_sandbox_eslint_figures_are_read_for_files_in_a_folder_reached_through_a_link()
    {
        // Given files in nested and top folders with the same name, in a folder whose path goes
        // through a symbolic link (as a TMPDIR may), measured without a confining sandbox
        var real = Folder(new Dictionary<string, string> { ["a/pick.js"] = JavaScriptSample, ["pick.js"] = "module.exports = 1;\n" });
        var link = _temp.Combine("through-link");
        Directory.CreateSymbolicLink(link, real);

        // When ESLint measures them (it reports the paths it resolved)
        var figures = await Eslint().MeasureAsync(new ToolSandbox(new NoSandbox(), []), link, _temp.Combine("scratch"), ["a/pick.js", "pick.js"], CancellationToken.None);

        // Then each file gets its own figures
        figures.Notes.ShouldBeEmpty();
        figures.Files["a/pick.js"].ShouldBe(new FileFigures(1, 3));
        figures.Files["pick.js"].ShouldBe(new FileFigures(0, 0));
    }

    private static CSharpTools CSharp()
    {
        var tool = new CSharpTools(CSharpTools.FindDotnet());
        tool.Unavailable().ShouldBeNull("the C# scorer needs the .NET SDK (dotnet on PATH)");
        return tool;
    }

    private const string CSharpSample = """
        namespace Sample;

        public static class Pick
        {
            public static int Choose(int a)
            {
                int unused;
                var assigned = 2;
                if (a > 0)
                {
                    return Helper.One();
                }
                return a > -5 ? 3 : 4;
            }

        #pragma warning disable CS0219
            public static int Quiet() { var hidden = 1; return 0; }
        #pragma warning restore CS0219

            public static int Loop(int[] values)
            {
                var sum = 0;
                foreach (var v in values)
                {
                    if (v > 0 && v < 10)
                        sum += v;
                }
                return sum;
            }
        }

        """;

    [Fact]
    public async Task CSharp_findings_are_the_compilers_warnings_and_complexity_is_ca1502_summed_over_the_file()
    {
        // Given a file with three compiler warnings (CS0168, CS0219, and a CS0219 behind #pragma
        // warning disable) and methods of complexity 3 (1 + if + ?:), 1 and 4 (1 + foreach + if + &&),
        // which calls into another file of the program with one method of complexity 1
        var folder = Folder(new Dictionary<string, string>
        {
            ["src/Pick.cs"] = CSharpSample,
            ["src/Helper.cs"] = "namespace Sample;\n\ninternal static class Helper\n{\n    public static int One() => 1;\n}\n",
        });

        // When the compiler and CA1502 measure them in the sandbox
        var figures = await CSharp().MeasureAsync(_tools, folder, _temp.Combine("scratch"), ["src/Helper.cs", "src/Pick.cs"], CancellationToken.None);

        // Then the sample has 3 findings (the pragma hides none) and complexity 8; the helper none and 1
        figures.Notes.ShouldBeEmpty();
        figures.Files["src/Pick.cs"].ShouldBe(new FileFigures(3, 8));
        figures.Files["src/Helper.cs"].ShouldBe(new FileFigures(0, 1));
    }

    [Fact]
    public async Task A_csharp_program_that_does_not_compile_has_no_figures_and_says_why()
    {
        // Given a file with a syntax error
        var folder = Folder(new Dictionary<string, string> { ["src/Broken.cs"] = "namespace Sample;\npublic static class Broken { public static int F() => ; }\n" });

        // When the compiler measures it
        var figures = await CSharp().MeasureAsync(_tools, folder, _temp.Combine("scratch"), ["src/Broken.cs"], CancellationToken.None);

        // Then nothing is measured (not zero), and the note names the compiler's first error
        figures.Files.ShouldBeEmpty();
        figures.Notes.ShouldHaveSingleItem().ShouldStartWith("the C# code does not compile: src/Broken.cs(2,");
        figures.Notes.Single().ShouldContain("error CS1525");
    }

    [Fact]
    public async Task CSharp_code_cannot_hide_its_findings_behind_generated_code_marks_or_line_directives()
    {
        // Given a file named and headed like generated code, with an unused variable in a method of complexity 2
        var method = "public static int F(int x) { int unused; if (x > 1) return 1; return 0; }";
        var named = Folder(new Dictionary<string, string> { ["src/A.g.cs"] = $"// <auto-generated/>\nnamespace S;\npublic static class A\n{{\n    {method}\n}}\n" });
        // and files whose attribute or #line directive would hide their method from CA1502 or their warnings from the file
        var attributed = Folder(new Dictionary<string, string> { ["B.cs"] = $"namespace S;\n[System.CodeDom.Compiler.GeneratedCode(\"x\", \"1\")]\npublic static class B\n{{\n    {method}\n}}\n" });
        var remapped = Folder(new Dictionary<string, string> { ["C.cs"] = $"namespace S;\npublic static class C\n{{\n#line 1 \"elsewhere.cs\"\n    {method}\n}}\n" });

        // When the compiler and CA1502 measure them
        var scratch = _temp.Combine("scratch");
        var namedFigures = await CSharp().MeasureAsync(_tools, named, scratch, ["src/A.g.cs"], CancellationToken.None);
        var attributedFigures = await CSharp().MeasureAsync(_tools, attributed, scratch, ["B.cs"], CancellationToken.None);
        var remappedFigures = await CSharp().MeasureAsync(_tools, remapped, scratch, ["C.cs"], CancellationToken.None);

        // Then the generated-looking file is measured as the agent's code; the attributed one has
        // its finding and no complexity figure (not zero); the remapped one no figure at all
        namedFigures.Notes.ShouldBeEmpty();
        namedFigures.Files["src/A.g.cs"].ShouldBe(new FileFigures(1, 2));
        attributedFigures.Files["B.cs"].ShouldBe(new FileFigures(1, null));
        attributedFigures.Notes.ShouldHaveSingleItem().ShouldBe("complexity not measured: GeneratedCode in B.cs hides code from CA1502");
        remappedFigures.Files.ShouldBeEmpty();
        remappedFigures.Notes.ShouldHaveSingleItem().ShouldBe("lint and complexity not measured: #line in C.cs moves the compiler's findings elsewhere");
    }

    [Fact]
    public async Task Without_a_confining_sandbox_csharp_figures_are_read_for_files_in_a_folder_reached_through_a_link()
    {
        // Given C# files in a folder whose path goes through a symbolic link (the compiler reports
        // the resolved path), with a Directory.Build.props above them that would silence every
        // warning, measured without a confining sandbox
        var real = Folder(new Dictionary<string, string>
        {
            ["src/Pick.cs"] = CSharpSample,
            ["src/Helper.cs"] = "namespace Sample;\n\ninternal static class Helper\n{\n    public static int One() => 1;\n}\n",
        });
        File.WriteAllText(_temp.Combine("Directory.Build.props"), "<Project><PropertyGroup><NoWarn>CS0168;CS0219;CA1502</NoWarn></PropertyGroup></Project>\n");
        var link = _temp.Combine("through-link-cs");
        Directory.CreateSymbolicLink(link, real);

        // When the compiler measures them as plain processes
        var figures = await CSharp().MeasureAsync(new ToolSandbox(new NoSandbox(), []), link, _temp.Combine("scratch"), ["src/Helper.cs", "src/Pick.cs"], CancellationToken.None);

        // Then each file gets its own figures, as in the sandbox
        figures.Notes.ShouldBeEmpty();
        figures.Files["src/Pick.cs"].ShouldBe(new FileFigures(3, 8));
        figures.Files["src/Helper.cs"].ShouldBe(new FileFigures(0, 1));
    }
}
