using OpenShell.DevLoop.FileSystem;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>
/// Verifies a bundle tarball and stages its payload at <c>&lt;destinationRoot&gt;/&lt;arch&gt;/&lt;bundle-dir&gt;</c>
/// in one streaming pass, swapping it in only once everything checked out.
/// </summary>
public static class RuntimeBundleStager
{
    /// <summary>Where the cluster image build reads staged bundles from, relative to the repository root.</summary>
    public const string DefaultDestinationRoot = "deploy/docker/.build/runtime-bundle";

    private const string ScratchPrefix = ".staging-";

    /// <summary>
    /// Extracts into a scratch folder next to the destination while hashing, validates, then renames the result
    /// into place, so <c>&lt;destinationRoot&gt;/&lt;arch&gt;/</c> holds exactly this bundle. As in OpenShell's
    /// consumer, once verification has started any failure (or cancellation) removes <c>&lt;arch&gt;/</c> entirely:
    /// no stale bundle survives a failed check to be built later. A tarball that does not exist or an unknown
    /// architecture is refused before anything is touched.
    /// </summary>
    /// <param name="tarballPath">The bundle tarball.</param>
    /// <param name="architecture">The architecture to stage (amd64, arm64 or an alias); the manifest must match.</param>
    /// <param name="destinationRoot">The staging root, usually <see cref="DefaultDestinationRoot"/>.</param>
    /// <param name="limits">Size and entry-count limits; <see cref="BundleLimits.Default"/> when null.</param>
    /// <param name="progress">Receives progress while the tarball is read.</param>
    /// <param name="ct">Cancels staging.</param>
    /// <exception cref="RuntimeBundleException">The bundle breaks a rule, or the staged tree could not be written.</exception>
    public static async Task<StagedBundle> StageAsync(
        string tarballPath,
        string architecture,
        string destinationRoot,
        BundleLimits? limits = null,
        IProgress<BundleProgress>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tarballPath);
        ArgumentException.ThrowIfNullOrEmpty(destinationRoot);
        var arch = BundleArchitecture.Normalize(architecture);
        if (!File.Exists(tarballPath))
        {
            throw new RuntimeBundleException(BundleRule.TarballNotFound, tarballPath, $"tarball not found: {tarballPath}");
        }

        var archDirectory = Path.GetFullPath(Path.Combine(destinationRoot, arch));
        var scratch = Path.Combine(archDirectory, ScratchPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            try
            {
                Directory.CreateDirectory(scratch);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new RuntimeBundleException(BundleRule.StagingFailed, null, $"cannot create '{scratch}' ({ex.Message}): check the destination is writable", ex);
            }

            VerifiedBundle verified;
            try
            {
                verified = await new BundleExtractor(tarballPath, arch, limits ?? BundleLimits.Default, scratch, progress).RunAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new RuntimeBundleException(BundleRule.StagingFailed, null, $"writing the staged bundle under '{archDirectory}' failed ({ex.Message})", ex);
            }

            var final = Path.Combine(archDirectory, verified.BundleDirectoryName);
            SwapIn(Path.Combine(scratch, verified.BundleDirectoryName), final, Path.Combine(scratch, "previous"));
            RemoveOtherBundles(archDirectory, verified.BundleDirectoryName);
            DeleteQuietly(scratch);
            return new StagedBundle { Manifest = verified.Manifest, BundleDirectory = final, TarballSha256 = verified.TarballSha256 };
        }
        catch (Exception ex) when (DiskFull.Is(ex))
        {
            // However the extractor framed it (a file it could not write, a stream it could not close), the cause is the disk.
            DeleteQuietly(archDirectory);
            throw new RuntimeBundleException(BundleRule.StagingFailed, null,
                $"{DiskFull.Message("staging the runtime bundle", archDirectory)}; nothing is left staged for this architecture", ex)
            {
                Remedy = DiskFull.Remedy(Path.GetFullPath(destinationRoot), "stage it elsewhere ('openshell-dev bundle stage --dest DIR')"),
            };
        }
        catch
        {
            DeleteQuietly(archDirectory);
            throw;
        }
    }

    /// <summary>Moves the new tree into place; the old one moves aside first and comes back if the move fails.</summary>
    private static void SwapIn(string staged, string final, string aside)
    {
        var hadPrevious = Directory.Exists(final) || File.Exists(final);
        try
        {
            if (hadPrevious)
            {
                Directory.Move(final, aside);
            }

            Directory.Move(staged, final);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (hadPrevious && !Directory.Exists(final) && Directory.Exists(aside))
            {
                Directory.Move(aside, final);
            }

            throw new RuntimeBundleException(BundleRule.StagingFailed, null, $"cannot move the staged bundle into '{final}' ({ex.Message}); nothing is left staged for this architecture", ex);
        }
    }

    /// <summary>Removes everything else under the architecture's folder (other bundles, leftovers), so the build sees exactly one bundle.</summary>
    private static void RemoveOtherBundles(string archDirectory, string keep)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(archDirectory))
        {
            var name = Path.GetFileName(entry);
            if (name == keep || name.StartsWith(ScratchPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (Directory.Exists(entry) && new FileInfo(entry).LinkTarget is null)
            {
                DeleteQuietly(entry);
            }
            else
            {
                File.Delete(entry);
            }
        }
    }

    internal static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                MakeWritable(path);
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover scratch folder has a dot-name and is never read as a bundle.
        }
    }

    private static void MakeWritable(string root)
    {
        foreach (var directory in Directory.EnumerateDirectories(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            File.SetUnixFileMode(directory, File.GetUnixFileMode(directory) | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
