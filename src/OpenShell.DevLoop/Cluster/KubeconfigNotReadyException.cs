using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Cluster;

/// <summary>The node has not written its kubeconfig yet; retry later.</summary>
public sealed class KubeconfigNotReadyException : DevLoopException
{
    /// <summary>Creates the exception.</summary>
    public KubeconfigNotReadyException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public KubeconfigNotReadyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public KubeconfigNotReadyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
