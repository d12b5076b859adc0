using System.Diagnostics;
using System.Text;

namespace OpenShell.DevLoop.Git;

/// <summary>Runs the <c>git</c> executable found on PATH.</summary>
internal sealed class GitCli : IGitCli
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListUntrackedAsync(GitRepository repository, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var (exit, stdout, stderr) = await RunAsync(repository.Root, ["ls-files", "--others", "--exclude-standard", "-z"], ct).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new GitException($"`git ls-files --others --exclude-standard` failed in {repository.Root} (exit {exit}): {stderr.Trim()}");
        }

        return SplitNul(stdout);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StagedChange>?> ListStagedAsync(GitRepository repository, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var (exit, stdout, stderr) = await RunAsync(repository.Root, ["diff-index", "--cached", "--name-status", "--no-renames", "-z", "HEAD", "--"], ct).ConfigureAwait(false);
        if (exit != 0)
        {
            if (stderr.Contains("bad revision 'HEAD'", StringComparison.Ordinal) || stderr.Contains("ambiguous argument 'HEAD'", StringComparison.Ordinal))
            {
                return null;
            }

            throw new GitException($"`git diff-index --cached HEAD` failed in {repository.Root} (exit {exit}): {stderr.Trim()}");
        }

        var fields = SplitNul(stdout);
        var changes = new List<StagedChange>(fields.Count / 2);
        for (var i = 0; i + 1 < fields.Count; i += 2)
        {
            changes.Add(new StagedChange(fields[i + 1], fields[i].Length > 0 ? fields[i][0] : 'M'));
        }

        return changes;
    }

    private static List<string> SplitNul(string text) =>
        [.. text.Split('\0', StringSplitOptions.RemoveEmptyEntries)];

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string workingDirectory, string[] args, CancellationToken ct)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Read-only questions must not take git's index lock or rewrite the index behind the user's back.
        start.Environment["GIT_OPTIONAL_LOCKS"] = "0";
        start.Environment["LC_ALL"] = "C";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new GitException("git could not be started.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new GitException($"git could not be started ({ex.Message}); install git and put it on PATH.", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }
}
