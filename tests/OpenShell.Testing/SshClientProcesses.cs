using System.Globalization;

namespace OpenShell.Testing;

/// <summary>The <c>ssh</c> clients this process started, found by an argument only they carry (Linux <c>/proc</c>).</summary>
public static class SshClientProcesses
{
    /// <summary>The ids of the <c>ssh</c> processes whose arguments include <paramref name="argument"/>.</summary>
    public static IReadOnlyList<int> WithArgument(string argument)
    {
        var found = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string[] arguments;
            try
            {
                arguments = File.ReadAllText(Path.Combine(folder, "cmdline")).Split('\0');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (arguments.Length > 0 && Path.GetFileName(arguments[0]) == "ssh" && arguments.Contains(argument))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    /// <summary>Kills the one <c>ssh</c> process carrying <paramref name="argument"/> (as a lost connection ends it) and waits for it to go.</summary>
    public static async Task KillAsync(string argument)
    {
        var pid = Xunit.Assert.Single(WithArgument(argument));
        using var process = System.Diagnostics.Process.GetProcessById(pid);
        process.Kill();
        await process.WaitForExitAsync();
    }
}
