using System.Diagnostics;
using System.Text;

namespace OpenShell.Bench.Planner;

/// <summary>A throw-away repository laid out like OpenShell, with many files and a chosen number of dirty ones.</summary>
internal sealed class SyntheticRepository : IDisposable
{
    // Where the files go: folder and share of the total.
    private static readonly (string Folder, double Share)[] s_layout =
    [
        ("src/OpenShell.Server", 0.40),
        ("src/OpenShell.Sandbox", 0.30),
        ("src/OpenShell.Core", 0.14),
        ("deploy/helm/openshell/templates", 0.06),
        ("docs", 0.10),
    ];

    private readonly List<string> _tracked = [];

    private SyntheticRepository(string root) => Root = root;

    public string Root { get; }

    public IReadOnlyList<string> Tracked => _tracked;

    public static SyntheticRepository Create(int files, string componentsJson)
    {
        var root = Path.Combine(Path.GetTempPath(), $"openshell-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var repository = new SyntheticRepository(root);
        Git(root, "init", "--quiet", "--initial-branch=main");
        repository.Write("deploy/dev/components.json", componentsJson);
        repository.Write(".gitignore", "bin/\nobj/\n");
        repository.Write("Directory.Build.props", "<Project />\n");
        var random = new Random(42);
        var created = 3;
        foreach (var (folder, share) in s_layout)
        {
            var count = folder == "docs" ? files - created : (int)(files * share);
            for (var i = 0; i < count; i++)
            {
                repository.Write($"{folder}/area{i % 37}/File{i}.cs", Content(random, i));
            }

            created += count;
        }

        // Old timestamps, as on a real checkout: nothing is "racily clean".
        var old = DateTime.UtcNow.AddHours(-1);
        foreach (var path in repository._tracked)
        {
            File.SetLastWriteTimeUtc(Path.Combine(root, path), old);
        }

        Git(root, "add", "-A");
        Git(root, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "--quiet", "-m", "synthetic");
        return repository;
    }

    /// <summary>
    /// Modifies <paramref name="modified"/> tracked files and adds <paramref name="added"/> untracked ones, spread over all
    /// folders; returns their paths as a watcher reports them (files, relative, '/'-separated).
    /// </summary>
    public IReadOnlyList<string> MakeDirty(int modified, int added)
    {
        var changed = new List<string>();
        var step = Math.Max(1, _tracked.Count / Math.Max(1, modified));
        for (var i = 0; i < modified; i++)
        {
            var relative = _tracked[(i * step) % _tracked.Count];
            File.AppendAllText(Path.Combine(Root, relative), $"// edit {i}\n");
            changed.Add(relative.Replace('\\', '/'));
        }

        for (var i = 0; i < added; i++)
        {
            var (folder, _) = s_layout[i % s_layout.Length];
            var path = Path.Combine(Root, folder, "new", $"Added{i}.cs");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, $"// added {i}\n");
            changed.Add(Path.GetRelativePath(Root, path).Replace('\\', '/'));
        }

        return changed;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Write(string path, string content)
    {
        var full = Path.Combine(Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        _tracked.Add(path);
    }

    private static string Content(Random random, int i)
    {
        var text = new StringBuilder();
        text.Append("// synthetic file ").Append(i).Append('\n');
        var lines = random.Next(10, 60);
        for (var line = 0; line < lines; line++)
        {
            text.Append("    var value").Append(line).Append(" = ").Append(random.Next()).Append(";\n");
        }

        return text.ToString();
    }

    private static void Git(string root, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {stderr}");
        }
    }
}
