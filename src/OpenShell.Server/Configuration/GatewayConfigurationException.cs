namespace OpenShell.Server.Configuration;

/// <summary>Bad flags, environment or certificate files: printed as one line, exit code 2.</summary>
internal sealed class GatewayConfigurationException(string message) : Exception(message);
