namespace OpenShell.DevLoop.Compiling;

/// <summary>What <see cref="WarmCompiler.TryCompileAsync"/> did.</summary>
/// <param name="Compiled">True when the output is current without MSBuild (compiled, or nothing had changed).</param>
/// <param name="Reason">Why MSBuild must build instead (when not compiled), or what was compiled.</param>
/// <param name="Written">The files written into the output folder.</param>
public sealed record WarmCompileResult(bool Compiled, string Reason, IReadOnlyList<string> Written)
{
    /// <summary>MSBuild must build, because of <paramref name="reason"/>.</summary>
    public static WarmCompileResult Fallback(string reason) => new(false, reason, []);
}
