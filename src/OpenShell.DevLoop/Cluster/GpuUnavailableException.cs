namespace OpenShell.DevLoop.Cluster;

/// <summary>GPUs were asked for but the engine cannot serve them; the message says what is missing and how to install it.</summary>
public sealed class GpuUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public GpuUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public GpuUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public GpuUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
