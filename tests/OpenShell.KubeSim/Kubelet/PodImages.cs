using Docker.DotNet;
using Docker.DotNet.Models;

namespace OpenShell.KubeSim.Kubelet;

/// <summary>Makes a container's image present on the engine following its pull policy.</summary>
internal sealed class PodImages(IDockerClient docker, TimeSpan pullTimeout)
{
    /// <summary>What became of an image: usable (perhaps only the local copy, with why) or not available at all.</summary>
    public sealed record Outcome(bool Available, string? Warning, string? Error);

    public async Task<Outcome> EnsureAsync(string image, string policy, CancellationToken ct)
    {
        var present = await IsPresentAsync(image, ct).ConfigureAwait(false);
        if (policy == ImagePolicy.Never || (policy == ImagePolicy.IfNotPresent && present))
        {
            return present
                ? new Outcome(true, null, null)
                : new Outcome(false, null, $"Container image \"{image}\" is not present with pull policy of Never");
        }

        var failure = await PullAsync(image, ct).ConfigureAwait(false);
        if (failure is null)
        {
            return new Outcome(true, null, null);
        }

        return present
            ? new Outcome(true, $"Pulling image \"{image}\" failed ({failure}); using the image already present on the node", null)
            : new Outcome(false, null, $"Failed to pull image \"{image}\": {failure}");
    }

    private async Task<bool> IsPresentAsync(string image, CancellationToken ct)
    {
        try
        {
            await docker.Images.InspectImageAsync(image, ct).ConfigureAwait(false);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Pulls through the engine (which reaches <c>127.0.0.1:5000</c> as the host's registry); returns why it failed, or null.</summary>
    private async Task<string?> PullAsync(string image, CancellationToken ct)
    {
        var (repository, tag, digest) = ImagePolicy.Split(image);
        var errors = new PullErrors();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(pullTimeout);
        try
        {
            await docker.Images.CreateImageAsync(
                new ImagesCreateParameters { FromImage = repository, Tag = digest ?? tag ?? "latest" },
                null,
                errors,
                timeout.Token).ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            return FirstLine(e.ResponseBody) ?? e.StatusCode.ToString();
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"no answer within {pullTimeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }

        if (errors.First is { } error)
        {
            return error;
        }

        return await IsPresentAsync(image, ct).ConfigureAwait(false) ? null : "the engine reported no error but has no such image";
    }

    // The engine reports a failed pull in its progress stream, not as an HTTP error; seen synchronously.
    private sealed class PullErrors : IProgress<JSONMessage>
    {
        public string? First { get; private set; }

        public void Report(JSONMessage value) =>
            First ??= value.Error?.Message ?? (string.IsNullOrEmpty(value.ErrorMessage) ? null : value.ErrorMessage);
    }

    private static string? FirstLine(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
}
