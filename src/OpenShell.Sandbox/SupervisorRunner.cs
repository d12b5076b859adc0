using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Grpc.Core;
using OpenShell.Core.V1;

namespace OpenShell.Sandbox;

/// <summary>Register, run the workload, heartbeat, report the exit, and exit with the workload's code.</summary>
internal sealed class SupervisorRunner(SupervisorSettings settings, TextWriter log)
{
    /// <summary>Exit code when registration fails (EX_UNAVAILABLE).</summary>
    internal const int RegistrationFailedExitCode = 69;

    /// <summary>Exit code when the workload cannot be started (as a shell reports a missing command).</summary>
    internal const int CommandNotFoundExitCode = 127;

    internal static string Version { get; } =
        typeof(SupervisorRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    internal async Task<int> RunAsync(CancellationToken ct = default)
    {
        using var channel = GatewayChannel.Create(settings);
        var client = new Supervisor.SupervisorClient(channel);

        // A signal before the workload starts ends the supervisor; after, it goes to the workload.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Workload? workload = null;
        var forwarded = 0;
        void OnSignal(PosixSignalContext context, int number)
        {
            context.Cancel = true;
            var child = Volatile.Read(ref workload);
            if (child is null)
            {
                stopping.Cancel();
                return;
            }

            Interlocked.Exchange(ref forwarded, number);
            Write($"forwarding signal {number} to the workload (pid {child.ProcessId})");
            child.Signal(number);
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => OnSignal(c, NativeMethods.SigTerm));
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => OnSignal(c, NativeMethods.SigInt));

        var digest = await SelfDigest.ComputeAsync(ct).ConfigureAwait(false);
        RegisterResponse registered;
        using (var span = SupervisorTelemetry.Source.StartActivity(SupervisorTelemetry.RegisterSpan, ActivityKind.Client))
        {
            span?.SetTag(SupervisorTelemetry.SandboxTag, settings.SandboxId);
            span?.SetTag("openshell.supervisor.sha256", digest);
            try
            {
                var request = new RegisterRequest { SandboxId = settings.SandboxId, SupervisorVersion = Version, BinarySha256 = digest };
                request.Command.AddRange(settings.Command);
                registered = await Registration.RegisterAsync(client, request, settings.RegistrationTimeout, Write, stopping.Token).ConfigureAwait(false);
            }
            catch (RegistrationTimeoutException ex)
            {
                SupervisorTelemetry.Fail(span, ex.Message);
                Write($"error: {ex.Message}. Check {Core.SupervisorEnvironment.GatewayEndpoint}={settings.GatewayEndpoint} and the client certificate.");
                return RegistrationFailedExitCode;
            }
            catch (RpcException ex)
            {
                SupervisorTelemetry.Fail(span, $"{ex.StatusCode}: {ex.Status.Detail}");
                Write($"error: the gateway refused the registration of sandbox '{settings.SandboxId}': {ex.StatusCode}: {ex.Status.Detail}");
                return RegistrationFailedExitCode;
            }
            catch (OperationCanceledException)
            {
                SupervisorTelemetry.Fail(span, "stopped by a signal");
                Write("stopped by a signal before the workload started");
                return 128 + NativeMethods.SigTerm;
            }
        }

        Write($"registered sandbox '{settings.SandboxId}' with {settings.GatewayEndpoint} (supervisor {Version}, sha256 {digest})");

        Workload child;
        try
        {
            child = Workload.Start(settings.Command);
        }
        catch (SupervisorUsageException ex)
        {
            // Registered but nothing to run: tell the gateway, as a shell would for a missing command.
            Write($"error: {ex.Message}");
            await ReportExitAsync(client, CommandNotFoundExitCode, 0).ConfigureAwait(false);
            return CommandNotFoundExitCode;
        }

        using var started = child;
        Volatile.Write(ref workload, child);
        if (stopping.IsCancellationRequested)
        {
            // A signal that arrived between registration and the start belongs to the workload.
            child.Signal(NativeMethods.SigTerm);
        }

        using var heartbeatStop = new CancellationTokenSource();
        var interval = TimeSpan.FromSeconds(Math.Max(1, registered.HeartbeatIntervalSeconds));
        var heartbeats = HeartbeatAsync(client, interval, heartbeatStop.Token);

        var exitCode = await child.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        await heartbeatStop.CancelAsync().ConfigureAwait(false);
        await heartbeats.ConfigureAwait(false);

        var signal = Volatile.Read(ref forwarded) is var sent && sent != 0 && exitCode == 128 + sent ? sent : 0;
        Write($"workload exited with code {exitCode}");
        await ReportExitAsync(client, exitCode, signal).ConfigureAwait(false);
        return exitCode;
    }

    private async Task ReportExitAsync(Supervisor.SupervisorClient client, int exitCode, int signal)
    {
        using var span = SupervisorTelemetry.Source.StartActivity(SupervisorTelemetry.ReportExitSpan, ActivityKind.Client);
        span?.SetTag(SupervisorTelemetry.SandboxTag, settings.SandboxId);
        span?.SetTag("process.exit.code", exitCode);
        try
        {
            await client.ReportExitAsync(
                new ReportExitRequest { SandboxId = settings.SandboxId, ExitCode = exitCode, Signal = signal },
                deadline: DateTime.UtcNow.AddSeconds(5),
                cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            // The exit code still reaches Kubernetes through the pod's status.
            SupervisorTelemetry.Fail(span, ex.StatusCode.ToString());
            Write($"warning: could not report the exit to the gateway: {ex.StatusCode}");
        }
    }

    private async Task HeartbeatAsync(Supervisor.SupervisorClient client, TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await client.HeartbeatAsync(new HeartbeatRequest { SandboxId = settings.SandboxId }, deadline: DateTime.UtcNow + interval, cancellationToken: ct).ConfigureAwait(false);
                }
                catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
                {
                    Write($"warning: heartbeat failed: {ex.StatusCode}");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (RpcException)
        {
            // Cancelled mid-call while the workload exits.
        }
    }

    private void Write(string message)
    {
        lock (log)
        {
            log.WriteLine($"openshell-sandbox: {message}");
            log.Flush();
        }
    }
}
