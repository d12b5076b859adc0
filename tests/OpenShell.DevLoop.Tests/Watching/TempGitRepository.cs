using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Watching;

/// <summary>A git repository in a temp folder, driven by the real git.</summary>
internal sealed class TempGitRepository : IDisposable
{
    private readonly TempDirectory _directory = new("openshell-watch");

    private TempGitRepository()
    {
    }

    public string Root => _directory.Path;

    public string GitDirectory => Path.Combine(Root, ".git");

    public static async Task<TempGitRepository> CreateAsync()
    {
        var repo = new TempGitRepository();
        await repo.GitAsync("init", "-q", "-b", "main");
        return repo;
    }

    public string Write(string relativePath, string content = "content")
    {
        var full = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public async Task<string> GitAsync(params string[] args)
    {
        string[] all = ["-c", "user.name=OpenShell Tests", "-c", "user.email=tests@openshell.invalid", "-c", "commit.gpgsign=false", "-c", "core.editor=true", .. args];
        var outcome = await TestProcess.RunAsync("git", all, Root, new Dictionary<string, string?> { ["GIT_CONFIG_NOSYSTEM"] = "1" }, TimeSpan.FromMinutes(2));
        return outcome.EnsureSuccess($"git {string.Join(' ', args)}").Stdout;
    }

    public async Task CommitAllAsync(string message)
    {
        await GitAsync("add", "-A");
        await GitAsync("commit", "-q", "-m", message);
    }

    public void Dispose() => _directory.Dispose();
}
