using OpenShell.Core;

namespace OpenShell.Sandbox;

/// <summary>What the supervisor needs to know, read from its environment and command line.</summary>
internal sealed record SupervisorSettings(
    Uri GatewayEndpoint,
    string SandboxId,
    string? ClientCertificatePath,
    string? ClientKeyPath,
    string? CertificateAuthorityPath,
    TimeSpan RegistrationTimeout,
    IReadOnlyList<string> Command)
{
    internal static readonly TimeSpan DefaultRegistrationTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Reads the settings; throws <see cref="SupervisorUsageException"/> naming what is wrong and how to fix it.</summary>
    internal static SupervisorSettings Read(IReadOnlyList<string> command, Func<string, string?> environment)
    {
        if (command.Count == 0)
        {
            throw new SupervisorUsageException("no workload given: usage is openshell-sandbox [--] COMMAND [ARGS...]");
        }

        var endpointText = Required(environment, SupervisorEnvironment.GatewayEndpoint, "the gateway's gRPC URL, e.g. https://openshell.openshell.svc.cluster.local:8080");
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            throw new SupervisorUsageException($"{SupervisorEnvironment.GatewayEndpoint}='{endpointText}' is not an http:// or https:// URL");
        }

        var sandboxId = Required(environment, SupervisorEnvironment.SandboxId, "the sandbox's name");
        var cert = Optional(environment, SupervisorEnvironment.ClientCertificate);
        var key = Optional(environment, SupervisorEnvironment.ClientKey);
        var ca = Optional(environment, SupervisorEnvironment.CertificateAuthority);
        if (endpoint.Scheme == Uri.UriSchemeHttps)
        {
            if (cert is null || key is null || ca is null)
            {
                throw new SupervisorUsageException(
                    $"an https gateway endpoint needs {SupervisorEnvironment.ClientCertificate}, {SupervisorEnvironment.ClientKey} and {SupervisorEnvironment.CertificateAuthority} (PEM file paths)");
            }

            foreach (var (name, path) in new[] { (SupervisorEnvironment.ClientCertificate, cert), (SupervisorEnvironment.ClientKey, key), (SupervisorEnvironment.CertificateAuthority, ca) })
            {
                if (!File.Exists(path))
                {
                    throw new SupervisorUsageException($"{name}={path}: no such file (is the client TLS secret mounted?)");
                }
            }
        }

        var timeout = DefaultRegistrationTimeout;
        if (Optional(environment, SupervisorEnvironment.RegistrationTimeout) is { } timeoutText)
        {
            if (!double.TryParse(timeoutText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
            {
                throw new SupervisorUsageException($"{SupervisorEnvironment.RegistrationTimeout}='{timeoutText}' is not a positive number of seconds");
            }

            timeout = TimeSpan.FromSeconds(seconds);
        }

        return new SupervisorSettings(endpoint, sandboxId, cert, key, ca, timeout, command);
    }

    private static string Required(Func<string, string?> environment, string name, string what) =>
        Optional(environment, name) ?? throw new SupervisorUsageException($"{name} is not set: set it to {what}");

    private static string? Optional(Func<string, string?> environment, string name) =>
        environment(name) is { Length: > 0 } value ? value : null;
}
