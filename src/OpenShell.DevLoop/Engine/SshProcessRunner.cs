using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace OpenShell.DevLoop.Engine;

/// <summary>Runs the system <c>ssh</c> client found on <c>PATH</c>.</summary>
internal sealed class SshProcessRunner : ISshProcessRunner
{
    public static readonly SshProcessRunner Instance = new();

    public ISshProcess Start(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo("ssh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new SshTunnelException(SshFailure.ClientMissing, $"the ssh client could not be started: {e.Message}",
                "install the OpenSSH client (apt-get install openssh-client), or use a tcp:// engine with TLS", e);
        }

        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return new Running(process, stderr);
    }

    private sealed class Running(Process process, StringBuilder stderr) : ISshProcess
    {
        public bool HasExited
        {
            get
            {
                if (!process.HasExited)
                {
                    return false;
                }

                // Exited, but its last lines may still be in the pipe: without a timeout, WaitForExit also waits for the
                // redirected streams to reach their end, so the error output is complete when it is read.
                process.WaitForExit();
                return true;
            }
        }

        public string StandardError
        {
            get
            {
                lock (stderr)
                {
                    return stderr.ToString();
                }
            }
        }

        public void Stop()
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(TimeSpan.FromSeconds(5));
                }
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }
        }

        public void Dispose()
        {
            Stop();
            process.Dispose();
        }
    }
}
