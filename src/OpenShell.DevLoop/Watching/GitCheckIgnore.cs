using System.Diagnostics;
using System.Text;

namespace OpenShell.DevLoop.Watching;

/// <summary>Runs <c>git check-ignore --stdin -z</c> in the repository, once per batch of paths.</summary>
/// <param name="repositoryRoot">The working tree's root folder.</param>
internal sealed class GitCheckIgnore(string repositoryRoot) : IGitIgnoreFilter
{
    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> IgnoredAsync(IReadOnlyCollection<string> relativePaths, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(relativePaths);
        if (relativePaths.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        var start = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = repositoryRoot,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };

        // Reading git's state must never write it: a refreshed index would look like git activity.
        start.Environment["GIT_OPTIONAL_LOCKS"] = "0";
        foreach (var arg in (string[])["check-ignore", "--stdin", "-z"])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("Could not start git: install git and make sure it is on PATH.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            foreach (var path in relativePaths)
            {
                await process.StandardInput.WriteAsync(path.AsMemory(), ct).ConfigureAwait(false);
                await process.StandardInput.WriteAsync("\0".AsMemory(), ct).ConfigureAwait(false);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout.ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);

        // Exit 0: some paths are ignored; 1: none are; anything else is an error.
        if (process.ExitCode is not (0 or 1))
        {
            throw new InvalidOperationException(
                $"git check-ignore failed in {repositoryRoot} (exit {process.ExitCode}): {error.Trim()}. The watcher needs the folder to be a git working tree.");
        }

        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
    }
}
