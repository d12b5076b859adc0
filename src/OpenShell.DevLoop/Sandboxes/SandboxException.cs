using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Sandboxes;

/// <summary>A sandbox call failed: the gateway is missing or refused, or the sandbox never became ready.</summary>
public sealed class SandboxException : DevLoopException
{
    /// <summary>The step name every sandbox failure carries.</summary>
    public const string Step = "Sandbox";

    /// <summary>Creates the error.</summary>
    public SandboxException(string message, string? remedy = null, RemedyAction action = RemedyAction.None, Exception? innerException = null)
        : base(Step, message, remedy, action, innerException)
    {
    }

    /// <summary>Creates the error.</summary>
    public SandboxException()
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public SandboxException(string message)
        : base(Step, message)
    {
    }

    /// <summary>Creates the error with a message and its cause.</summary>
    public SandboxException(string message, Exception? innerException)
        : base(Step, message, null, RemedyAction.None, innerException)
    {
    }

    /// <summary>True when the gateway did not answer at all (nothing listens, or no ready gateway pod behind the port).</summary>
    public bool GatewayUnavailable { get; init; }

    /// <summary>The sandbox's last known status when it failed to become ready; null when the call itself failed.</summary>
    public Core.V1.Sandbox? Sandbox { get; init; }
}
