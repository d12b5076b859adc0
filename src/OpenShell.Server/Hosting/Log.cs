using Microsoft.Extensions.Logging;

namespace OpenShell.Server.Hosting;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "INSECURE: --disable-tls is set: the gateway serves plaintext (gRPC over h2c) on port {Port}, with no encryption and no client authentication.")]
    internal static partial void TlsDisabled(ILogger logger, int port);

    [LoggerMessage(2, LogLevel.Warning, "INSECURE: --disable-gateway-auth is set: any client can call the gateway on port {Port} without a certificate.")]
    internal static partial void GatewayAuthDisabled(ILogger logger, int port);

    [LoggerMessage(3, LogLevel.Information, "Gateway {Version} listening on {Address}:{Port} ({Security}), health on port {HealthPort}; sandboxes in namespace {Namespace}.")]
    internal static partial void Listening(ILogger logger, string version, string address, int port, string security, int healthPort, string @namespace);

    [LoggerMessage(4, LogLevel.Warning, "Sandboxes are unavailable: {Problem}.")]
    internal static partial void NoKubernetes(ILogger logger, string problem);

    [LoggerMessage(10, LogLevel.Information, "Sandbox {Name} created from {Image} in namespace {Namespace}.")]
    internal static partial void SandboxCreated(ILogger logger, string name, string image, string @namespace);

    [LoggerMessage(11, LogLevel.Information, "Sandbox {Name} deleted from namespace {Namespace}.")]
    internal static partial void SandboxDeleted(ILogger logger, string name, string @namespace);

    [LoggerMessage(12, LogLevel.Information, "Sandbox {Name} restarted from {Image} in namespace {Namespace}.")]
    internal static partial void SandboxRestarted(ILogger logger, string name, string image, string @namespace);

    [LoggerMessage(20, LogLevel.Information, "Supervisor of sandbox {SandboxId} registered: version {Version}, sha256 {Sha256}.")]
    internal static partial void SupervisorRegistered(ILogger logger, string sandboxId, string version, string sha256);

    [LoggerMessage(21, LogLevel.Information, "Workload of sandbox {SandboxId} exited with code {ExitCode} (signal {Signal}).")]
    internal static partial void WorkloadExited(ILogger logger, string sandboxId, int exitCode, int signal);
}
