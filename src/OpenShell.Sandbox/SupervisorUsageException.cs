namespace OpenShell.Sandbox;

/// <summary>A configuration or usage error: printed as one line, exit code 2.</summary>
internal sealed class SupervisorUsageException(string message) : Exception(message);
