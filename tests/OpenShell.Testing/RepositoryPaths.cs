namespace OpenShell.Testing;

/// <summary>Locates the repository the tests were built from.</summary>
public static class RepositoryPaths
{
    /// <summary>The repository root (the folder holding OpenShell.sln).</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenShell.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"OpenShell.sln not found above {AppContext.BaseDirectory}.");
    }
}
