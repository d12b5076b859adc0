using System.Text;

namespace OpenShell.DevLoop.Publishing;

/// <summary>A login for one registry: a user name and password (or token), or an identity token (OAuth refresh token).</summary>
/// <param name="Username">The user name; null with an identity token.</param>
/// <param name="Password">The password or personal access token; null with an identity token.</param>
/// <param name="IdentityToken">The identity token Docker's credential store keeps for some registries.</param>
public sealed record RegistryCredential(string? Username, string? Password, string? IdentityToken = null)
{
    /// <summary>The value of a Basic <c>Authorization</c> header, or null for an identity token.</summary>
    public string? BasicValue => Username is null || Password is null
        ? null
        : Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"RegistryCredential {{ Username = {Username ?? "(token)"} }}";
}
