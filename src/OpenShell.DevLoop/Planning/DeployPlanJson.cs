using System.Text;
using System.Text.Json;

namespace OpenShell.DevLoop.Planning;

/// <summary>Renders a plan as JSON: the same facts as the text form with <c>--explain</c>, for scripts.</summary>
public static class DeployPlanJson
{
    /// <summary>The plan as an indented JSON document.</summary>
    public static string Render(DeployPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("mode", plan.Mode == PlanMode.Automatic ? "automatic" : "explicit");
            json.WriteBoolean("nothingToDo", plan.NothingToDo);
            json.WriteStartObject("plan");
            foreach (var component in plan.Components)
            {
                json.WriteNumber(component.Component.Name, component.Rebuild ? 1 : 0);
            }

            json.WriteEndObject();
            json.WriteString("clusterName", plan.ClusterName);
            json.WriteString("containerName", plan.ContainerName);
            WriteNullable(json, "containerId", plan.ContainerId);
            json.WriteString("stateFile", plan.StatePath);
            json.WriteBoolean("stateUsable", plan.RecordedState is not null);
            json.WriteStartArray("notes");
            foreach (var note in plan.Notes)
            {
                json.WriteStringValue(note);
            }

            json.WriteEndArray();
            json.WriteStartArray("components");
            foreach (var component in plan.Components)
            {
                json.WriteStartObject();
                json.WriteString("name", component.Component.Name);
                json.WriteString("kind", component.Component.Kind.ToString().ToLowerInvariant());
                json.WriteString("stateKey", component.Component.StateKey);
                json.WriteBoolean("rebuild", component.Rebuild);
                json.WriteString("fingerprint", component.Fingerprint);
                WriteNullable(json, "recordedFingerprint", component.RecordedFingerprint);
                json.WriteNumber("inputFiles", component.InputCount);
                json.WriteStartArray("reasons");
                foreach (var reason in component.Reasons)
                {
                    json.WriteStartObject();
                    json.WriteString("kind", JsonNamingPolicy.CamelCase.ConvertName(reason.Kind.ToString()));
                    json.WriteString("description", reason.Description);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteStartArray("changes");
                foreach (var change in component.Changes)
                {
                    json.WriteStartObject();
                    json.WriteString("path", change.Path);
                    json.WriteString("change", DeployPlanText.Describe(change.Kind));
                    json.WriteString("glob", change.Glob);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
