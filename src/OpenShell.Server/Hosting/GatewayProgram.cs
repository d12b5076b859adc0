using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenShell.Server.Configuration;
using OpenShell.Server.Kubernetes;

namespace OpenShell.Server.Hosting;

/// <summary>The command line: help, probe, or serve until stopped.</summary>
internal static class GatewayProgram
{
    /// <summary>Exit code for bad flags, environment or certificate files.</summary>
    internal const int ConfigurationErrorExitCode = 2;

    internal static string Version { get; } =
        typeof(GatewayProgram).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    internal static async Task<int> RunAsync(string[] args, Func<string, string?> environment, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        GatewayInvocation invocation;
        try
        {
            invocation = GatewayCommandLine.Parse(args, environment);
        }
        catch (GatewayConfigurationException ex)
        {
            await stderr.WriteLineAsync($"openshell-server: error: {ex.Message}").ConfigureAwait(false);
            return ConfigurationErrorExitCode;
        }

        switch (invocation.Mode)
        {
            case GatewayMode.Help:
                await stdout.WriteAsync(GatewayCommandLine.Help()).ConfigureAwait(false);
                return 0;
            case GatewayMode.Probe:
                return await HealthProbe.RunAsync(invocation.Options.HealthPort, stderr, ct).ConfigureAwait(false);
        }

        WebApplication app;
        try
        {
            app = GatewayApplication.Build(invocation.Options);
        }
        catch (GatewayConfigurationException ex)
        {
            await stderr.WriteLineAsync($"openshell-server: error: {ex.Message}").ConfigureAwait(false);
            return ConfigurationErrorExitCode;
        }

        await using (app.ConfigureAwait(false))
        {
            LogStartup(app, invocation.Options);
            try
            {
                await app.RunAsync(ct).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                await stderr.WriteLineAsync($"openshell-server: error: cannot listen on port {invocation.Options.Port} or {invocation.Options.HealthPort}: {ex.Message}").ConfigureAwait(false);
                return 1;
            }
        }

        return 0;
    }

    private static void LogStartup(WebApplication app, GatewayOptions options)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenShell.Server");
        if (options.DisableTls)
        {
            Log.TlsDisabled(logger, options.Port);
        }
        else if (options.DisableGatewayAuth)
        {
            Log.GatewayAuthDisabled(logger, options.Port);
        }

        if (app.Services.GetRequiredService<KubernetesConnection>().Problem is { } problem)
        {
            Log.NoKubernetes(logger, problem);
        }

        var security = options.DisableTls ? "plaintext" : options.RequiresClientCertificate ? "mutual TLS" : "TLS, no client certificates";
        var address = options.ListenAddress.Equals(IPAddress.Any) ? "0.0.0.0" : options.ListenAddress.ToString();
        Log.Listening(logger, Version, address, options.Port, security, options.HealthPort, options.SandboxNamespace);
    }
}
