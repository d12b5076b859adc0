using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Cluster;

/// <summary>The cluster's Kubernetes API kept failing a request after the retries <see cref="KubernetesApiRetryPolicy"/> allows.</summary>
public sealed class KubernetesApiException : DevLoopException
{
    /// <summary>The step name these errors carry.</summary>
    public const string StepLabel = "Kubernetes API";

    /// <summary>Creates the error: <paramref name="message"/> names the request and what it got, <paramref name="remedy"/> the fix.</summary>
    public KubernetesApiException(string message, string remedy, int? statusCode, Exception? innerException = null)
        : base(StepLabel, message, remedy, RemedyAction.DeployAgain, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>Creates the error.</summary>
    public KubernetesApiException()
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public KubernetesApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with a message and its cause.</summary>
    public KubernetesApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The last status the API answered with; null when it did not answer.</summary>
    public int? StatusCode { get; }
}
