using Microsoft.CodeAnalysis;

namespace OpenShell.DevLoop.Compiling;

/// <summary>The diagnostic severities the compiler's <c>/analyzerconfig:</c> files set, per file and globally, as the compiler applies them.</summary>
internal sealed class TreeOptionsProvider(AnalyzerConfigSet set) : SyntaxTreeOptionsProvider
{
    public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) => GeneratedKind.Unknown;

    public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
        set.GetOptionsForSourcePath(tree.FilePath).TreeOptions.TryGetValue(diagnosticId, out severity);

    public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
        set.GlobalConfigOptions.TreeOptions.TryGetValue(diagnosticId, out severity);
}
