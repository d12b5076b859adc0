namespace OpenShell.DevLoop.Engine;

/// <summary>TLS to a <c>tcp://</c> engine, as Docker's client sets it up.</summary>
/// <param name="Verify">Check the engine's certificate against <paramref name="CaPath"/> (<c>DOCKER_TLS_VERIFY</c>).</param>
/// <param name="CaPath">The CA that signed the engine's certificate (<c>ca.pem</c>).</param>
/// <param name="CertificatePath">The client certificate (<c>cert.pem</c>).</param>
/// <param name="KeyPath">Its private key (<c>key.pem</c>).</param>
public sealed record EngineTls(bool Verify, string CaPath, string CertificatePath, string KeyPath);
