namespace OpenShell.Testing;

/// <summary>
/// A real git repository in a temp folder, laid out like OpenShell (gateway, supervisor, shared core,
/// chart, README) with the repository's own <c>deploy/dev/components.json</c>, committed once.
/// </summary>
public sealed class GitTestRepository : IDisposable
{
    /// <summary>A gateway source file.</summary>
    public const string GatewayFile = "src/OpenShell.Server/Program.cs";

    /// <summary>A supervisor source file.</summary>
    public const string SupervisorFile = "src/OpenShell.Sandbox/Program.cs";

    /// <summary>A file shared by the gateway and the supervisor.</summary>
    public const string SharedFile = "src/OpenShell.Core/Policy.cs";

    /// <summary>A chart file.</summary>
    public const string ChartFile = "deploy/helm/openshell/values.yaml";

    /// <summary>A file that feeds no component.</summary>
    public const string UnrelatedFile = "README.md";

    private static readonly Dictionary<string, string?> s_gitEnvironment = new()
    {
        ["GIT_AUTHOR_NAME"] = "Test",
        ["GIT_AUTHOR_EMAIL"] = "test@example.invalid",
        ["GIT_COMMITTER_NAME"] = "Test",
        ["GIT_COMMITTER_EMAIL"] = "test@example.invalid",
        ["GIT_CONFIG_NOSYSTEM"] = "1",
        ["GIT_CONFIG_GLOBAL"] = "/dev/null",
    };

    private readonly TempDirectory _folder;

    private GitTestRepository(TempDirectory folder) => _folder = folder;

    /// <summary>The working tree's root.</summary>
    public string Root => _folder.Path;

    /// <summary>Creates the repository with the standard layout and one commit.</summary>
    public static async Task<GitTestRepository> CreateAsync(bool withChart = true)
    {
        var repository = new GitTestRepository(new TempDirectory("openshell-plan"));
        try
        {
            await repository.GitAsync("init", "--quiet", "--initial-branch=main");
            repository.Write("deploy/dev/components.json", File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "dev", "components.json")));
            repository.Write(".gitignore", "bin/\nobj/\n*.log\n");
            repository.Write(GatewayFile, "// gateway\nConsole.WriteLine(\"gateway\");\n");
            repository.Write("deploy/docker/Dockerfile.gateway", "FROM scratch\n");
            repository.Write(SupervisorFile, "// supervisor\nConsole.WriteLine(\"supervisor\");\n");
            repository.Write(SharedFile, "// shared\nnamespace OpenShell.Core;\n");
            repository.Write("Directory.Build.props", "<Project />\n");
            repository.Write(UnrelatedFile, "# OpenShell\n");
            if (withChart)
            {
                repository.Write(ChartFile, "image:\n  tag: dev\n");
                repository.Write("deploy/helm/openshell/Chart.yaml", "apiVersion: v2\nname: openshell\nversion: 0.1.0\n");
            }

            await repository.CommitAllAsync("initial");
            return repository;
        }
        catch
        {
            repository.Dispose();
            throw;
        }
    }

    /// <summary>Writes a file (creating folders), relative to the root.</summary>
    public void Write(string path, string content)
    {
        var full = Path.Combine(Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    /// <summary>Appends a line to a file.</summary>
    public void Append(string path, string line) => File.AppendAllText(Path.Combine(Root, path), line + "\n");

    /// <summary>Deletes a file from the working tree (not from the index).</summary>
    public void Delete(string path) => File.Delete(Path.Combine(Root, path));

    /// <summary>Runs git in the repository and returns its standard output; throws when it fails.</summary>
    public async Task<string> GitAsync(params string[] args) =>
        (await TestProcess.RunAsync("git", args, Root, s_gitEnvironment, TimeSpan.FromMinutes(1))).EnsureSuccess("git " + string.Join(' ', args)).Stdout;

    /// <summary>Stages everything and commits.</summary>
    public async Task CommitAllAsync(string message)
    {
        await GitAsync("add", "-A");
        await GitAsync("commit", "--quiet", "--no-verify", "-m", message);
    }

    /// <inheritdoc />
    public void Dispose() => _folder.Dispose();
}
