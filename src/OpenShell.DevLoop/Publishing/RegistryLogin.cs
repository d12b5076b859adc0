using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.Publishing;

/// <summary>
/// Which login a publish uses for a registry: <c>REGISTRY_USERNAME</c>/<c>REGISTRY_PASSWORD</c> when both are set, else
/// Docker's client configuration (<c>auths</c>, <c>credHelpers</c>, <c>credsStore</c>, see <see cref="DockerCredentials"/>),
/// else none (anonymous).
/// </summary>
public static class RegistryLogin
{
    /// <summary>The login for <paramref name="host"/>.</summary>
    /// <param name="host">The registry's host and port.</param>
    /// <param name="username">The <c>REGISTRY_USERNAME</c> setting.</param>
    /// <param name="password">The <c>REGISTRY_PASSWORD</c> setting.</param>
    /// <param name="docker">Docker's client configuration; null reads the default one.</param>
    public static RegistryCredential? Resolve(string host, string? username, string? password, DockerCredentials? docker = null)
    {
        if (!string.IsNullOrEmpty(username) && !string.IsNullOrEmpty(password))
        {
            return new RegistryCredential(username, password);
        }

        var config = (docker ?? DockerCredentials.Load()).For(host);
        return config switch
        {
            null => null,
            { IdentityToken: { Length: > 0 } token } => new RegistryCredential(null, null, token),
            { Username: { Length: > 0 } user, Password: { } secret } => new RegistryCredential(user, secret),
            _ => null,
        };
    }
}
