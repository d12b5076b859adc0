namespace OpenShell.DevLoop.Builders;

/// <summary>What makes a fast-deploy build a function of its inputs.</summary>
internal static class DevBuild
{
    /// <summary>
    /// The MSBuild property of a dev build (see Directory.Build.props): no commit id, source paths mapped, so an unchanged tree
    /// publishes the same bytes after a commit, a branch switch or in a clone elsewhere.
    /// </summary>
    public const string Property = "OpenShellDevBuild=true";
}
