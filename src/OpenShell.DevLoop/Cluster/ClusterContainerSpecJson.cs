using Newtonsoft.Json;
using Newtonsoft.Json.Converters;
using Newtonsoft.Json.Linq;

namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// The engine's container-create parameters for a <see cref="ClusterContainerSpec"/>, as the JSON sent to
/// <c>POST /containers/create</c> (Docker.DotNet's models carry the engine's field names), with credential values redacted.
/// </summary>
public static class ClusterContainerSpecJson
{
    /// <summary>What replaces a secret value.</summary>
    public const string Redacted = "<redacted>";

    private static readonly string[] s_secretVariables = ["REGISTRY_PASSWORD"];

    /// <summary>
    /// Indented JSON of the create parameters (null fields left out). A <see cref="ClusterContainerSpec.GatewayHostPort"/>
    /// of 0 (the engine picks) is an empty host port.
    /// </summary>
    public static string Serialize(ClusterContainerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parameters = ClusterContainerParameters.From(spec);
        parameters.Env = [.. parameters.Env.Select(Redact)];
        var serializer = JsonSerializer.Create(new JsonSerializerSettings
        {
            NullValueHandling = NullValueHandling.Ignore,
            Converters = [new StringEnumConverter()],
        });
        var json = JObject.FromObject(parameters, serializer);
        // The engine takes the name in the query string (?name=), so the model leaves it out of the body.
        json.AddFirst(new JProperty("Name", parameters.Name));
        return json.ToString(Formatting.Indented);
    }

    private static string Redact(string variable)
    {
        var name = variable.Split('=', 2)[0];
        return s_secretVariables.Contains(name, StringComparer.Ordinal) ? $"{name}={Redacted}" : variable;
    }
}
