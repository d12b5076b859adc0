namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>What a bundle operation is doing.</summary>
public enum BundleOperation
{
    /// <summary>Downloading the tarball.</summary>
    Download,

    /// <summary>Reading the tarball, hashing (and when staging, writing) its entries.</summary>
    Extract,

    /// <summary>Writing a tarball from an install root.</summary>
    Pack,
}

/// <summary>A progress report: the operation, the current entry, and bytes done out of the total when known.</summary>
/// <param name="Operation">What is being done.</param>
/// <param name="Entry">The entry being processed, when there is one.</param>
/// <param name="BytesDone">Bytes of the tarball (or download) processed so far.</param>
/// <param name="BytesTotal">The total, when known.</param>
public readonly record struct BundleProgress(BundleOperation Operation, string? Entry, long BytesDone, long? BytesTotal);
