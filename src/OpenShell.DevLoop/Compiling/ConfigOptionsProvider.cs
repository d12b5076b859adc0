using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace OpenShell.DevLoop.Compiling;

/// <summary>The options the compiler's <c>/analyzerconfig:</c> files give source generators (global and per file).</summary>
internal sealed class ConfigOptionsProvider(AnalyzerConfigSet set) : AnalyzerConfigOptionsProvider
{
    private static readonly ImmutableDictionary<string, string> s_empty = ImmutableDictionary<string, string>.Empty;

    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(set.GlobalConfigOptions.AnalyzerOptions);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(set.GetOptionsForSourcePath(tree.FilePath).AnalyzerOptions);

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(set.GetOptionsForSourcePath(textFile.Path).AnalyzerOptions);

    private sealed class Options(ImmutableDictionary<string, string>? values) : AnalyzerConfigOptions
    {
        private readonly ImmutableDictionary<string, string> _values = values ?? s_empty;

        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => _values.TryGetValue(key, out value);

        public override IEnumerable<string> Keys => _values.Keys;
    }
}
