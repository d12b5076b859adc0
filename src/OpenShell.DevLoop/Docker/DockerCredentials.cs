using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Docker.DotNet.Models;

namespace OpenShell.DevLoop.Docker;

/// <summary>
/// Registry credentials as Docker's client configuration gives them (<c>$DOCKER_CONFIG/config.json</c>, else
/// <c>~/.docker/config.json</c>): an <c>auths</c> entry (<c>auth</c> = base64 of <c>user:password</c>, or
/// <c>username</c>/<c>password</c>, or <c>identitytoken</c>), else the credential helper named by <c>credHelpers</c> or
/// <c>credsStore</c> (<c>docker-credential-&lt;name&gt; get</c>). Values are never logged.
/// </summary>
public sealed class DockerCredentials
{
    /// <summary>Docker Hub's key in <c>auths</c>, as <c>docker login</c> writes it.</summary>
    public const string DockerHubKey = "https://index.docker.io/v1/";

    private readonly Dictionary<string, JsonElement> _auths;
    private readonly Dictionary<string, string> _helpers;
    private readonly string? _store;
    private readonly Func<string, string, string?> _runHelper;

    private DockerCredentials(string? source, Dictionary<string, JsonElement> auths, Dictionary<string, string> helpers, string? store, Func<string, string, string?>? runHelper)
    {
        Source = source;
        _auths = auths;
        _helpers = helpers;
        _store = store;
        _runHelper = runHelper ?? RunHelper;
    }

    /// <summary>No credentials: every pull is anonymous.</summary>
    public static DockerCredentials None { get; } = new(null, new(StringComparer.Ordinal), new(StringComparer.Ordinal), null, null);

    /// <summary>The configuration file read, or null when none was.</summary>
    public string? Source { get; }

    /// <summary>Where Docker's client keeps its configuration: <c>DOCKER_CONFIG</c>, else <c>~/.docker</c>.</summary>
    public static string DefaultConfigPath(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var folder = getVariable("DOCKER_CONFIG") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        return Path.Combine(folder, "config.json");
    }

    /// <summary>Reads <paramref name="path"/> (default: <see cref="DefaultConfigPath"/>); a missing file means no credentials.</summary>
    /// <exception cref="InvalidOperationException">The file exists but is not Docker's JSON configuration.</exception>
    public static DockerCredentials Load(string? path = null) => Load(path ?? DefaultConfigPath(), null);

    internal static DockerCredentials Load(string path, Func<string, string, string?>? runHelper)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return None;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var auths = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (root.TryGetProperty("auths", out var authsElement) && authsElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in authsElement.EnumerateObject())
                {
                    auths[entry.Name] = entry.Value.Clone();
                }
            }

            var helpers = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("credHelpers", out var helpersElement) && helpersElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in helpersElement.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.String))
                {
                    helpers[entry.Name] = entry.Value.GetString()!;
                }
            }

            var store = root.TryGetProperty("credsStore", out var storeElement) && storeElement.ValueKind == JsonValueKind.String ? storeElement.GetString() : null;
            return new DockerCredentials(path, auths, helpers, string.IsNullOrEmpty(store) ? null : store, runHelper);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"Docker's configuration {path} is not valid JSON ({ex.Message}); fix it or move it away (it holds registry logins).", ex);
        }
    }

    /// <summary>The credentials for <paramref name="registry"/> (a host[:port]; null or <c>docker.io</c> is Docker Hub), or null for an anonymous pull.</summary>
    public AuthConfig? For(string? registry)
    {
        var host = NormalizeHost(registry);
        foreach (var key in Keys(host))
        {
            if (_auths.TryGetValue(key, out var entry) && FromEntry(entry, key) is { } config)
            {
                return config;
            }
        }

        var helperKey = host == "docker.io" ? DockerHubKey : host;
        var helper = _helpers.TryGetValue(helperKey, out var named) || _helpers.TryGetValue(host, out named) ? named : _store;
        if (helper is null)
        {
            return null;
        }

        var output = _runHelper(helper, helperKey);
        if (string.IsNullOrWhiteSpace(output))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(output);
            var username = document.RootElement.TryGetProperty("Username", out var u) ? u.GetString() : null;
            var secret = document.RootElement.TryGetProperty("Secret", out var s) ? s.GetString() : null;
            if (string.IsNullOrEmpty(secret))
            {
                return null;
            }

            // Helpers return "<token>" as the user name for identity tokens.
            return username == "<token>"
                ? new AuthConfig { IdentityToken = secret, ServerAddress = helperKey }
                : new AuthConfig { Username = username, Password = secret, ServerAddress = helperKey };
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"The Docker credential helper docker-credential-{helper} answered for {helperKey} with something that is not JSON; check it with 'docker-credential-{helper} list'.", ex);
        }
    }

    /// <summary>The registry host an image is pulled from: its registry part, else <c>docker.io</c>.</summary>
    public static string NormalizeHost(string? registry) => registry switch
    {
        null or "" or "docker.io" or "index.docker.io" or "registry-1.docker.io" => "docker.io",
        _ => registry.ToLowerInvariant(),
    };

    private static IEnumerable<string> Keys(string host) => host == "docker.io"
        ? [DockerHubKey, "index.docker.io", "docker.io", "https://docker.io", "registry-1.docker.io", "https://registry-1.docker.io"]
        : [host, "https://" + host, "http://" + host, $"https://{host}/v1/", $"https://{host}/v2/"];

    private static AuthConfig? FromEntry(JsonElement entry, string key)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        string? Text(string name) => entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (Text("identitytoken") is { Length: > 0 } token)
        {
            return new AuthConfig { IdentityToken = token, ServerAddress = key };
        }

        if (Text("auth") is { Length: > 0 } auth)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
            }
            catch (FormatException ex)
            {
                throw new InvalidOperationException($"The login for {key} in Docker's configuration is not base64 of user:password; run 'docker login' again.", ex);
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidOperationException($"The login for {key} in Docker's configuration is not of the form user:password; run 'docker login' again.");
            }

            return new AuthConfig { Username = decoded[..colon], Password = decoded[(colon + 1)..], ServerAddress = key };
        }

        return Text("username") is { Length: > 0 } user && Text("password") is { } password
            ? new AuthConfig { Username = user, Password = password, ServerAddress = key }
            : null;
    }

    // Runs docker-credential-<helper> get with the server on stdin; null when the helper has nothing for it.
    private static string? RunHelper(string helper, string server)
    {
        var start = new ProcessStartInfo($"docker-credential-{helper}", "get")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"docker-credential-{helper} did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"Docker's configuration names the credential helper '{helper}', but docker-credential-{helper} is not on PATH; install it or remove it from the configuration.", ex);
        }

        using (process)
        {
            process.StandardInput.Write(server);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? stdout : null;
        }
    }
}
