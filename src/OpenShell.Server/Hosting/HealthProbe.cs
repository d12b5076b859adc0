namespace OpenShell.Server.Hosting;

/// <summary><c>openshell-server --probe</c>: the container health check, without curl in the image.</summary>
internal static class HealthProbe
{
    internal static async Task<int> RunAsync(int healthPort, TextWriter stderr, CancellationToken ct = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var url = new Uri($"http://127.0.0.1:{healthPort}/healthz");
        try
        {
            using var response = await http.GetAsync(url, ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return 0;
            }

            await stderr.WriteLineAsync($"openshell-server: {url} answered {(int)response.StatusCode}").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await stderr.WriteLineAsync($"openshell-server: {url} did not answer: {ex.Message}").ConfigureAwait(false);
        }

        return 1;
    }
}
