using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OpenShell.Bench;

/// <summary>What every benchmark needs from its surroundings: the repository it runs from, a free loopback port, a process run.</summary>
internal static class BenchEnvironment
{
    /// <summary>The repository the benchmark's program was built in (the first folder above it with <c>OpenShell.sln</c>).</summary>
    /// <exception cref="InvalidOperationException">The program is not inside the repository.</exception>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenShell.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from inside the repository (OpenShell.sln not found above the program).");
    }

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Runs <paramref name="file"/> in <paramref name="directory"/> and returns its standard output; cancelling kills it and
    /// its children, so a stopped benchmark leaves no build behind.
    /// </summary>
    /// <exception cref="InvalidOperationException">It exited with another code than 0 (the message holds its output).</exception>
    public static async Task<string> RunAsync(
        string file, IEnumerable<string> arguments, string directory, IReadOnlyDictionary<string, string?>? environment = null, CancellationToken ct = default)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}:\n{await stdout}{await stderr}");
        }

        return await stdout;
    }
}
