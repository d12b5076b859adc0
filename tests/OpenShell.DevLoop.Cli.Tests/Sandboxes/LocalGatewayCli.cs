namespace OpenShell.DevLoop.Cli.Tests.Sandboxes;

/// <summary>Runs <c>openshell-dev</c> against a <see cref="LocalGateway"/>'s checkout.</summary>
internal static class LocalGatewayCli
{
    /// <summary>Runs <c>openshell-dev &lt;args[0]&gt; --repo &lt;checkout&gt; &lt;args[1..]&gt;</c> (before any <c>--</c> and the workload).</summary>
    internal static Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(this LocalGateway gateway, params string[] args) =>
        CliRunner.RunAsync([args[0], "--repo", gateway.Checkout.Path, .. args[1..]]);
}
