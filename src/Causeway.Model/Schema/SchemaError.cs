namespace Causeway.Model.Schema;

/// <summary>
/// One validation failure, as the Kubernetes API server would report it.
/// <paramref name="Path"/> is a field path such as <c>spec.listeners[0].hostname</c>
/// (map keys are written as <c>labels[key]</c>); <paramref name="Message"/> reads like the API server's
/// message, e.g. <c>Required value</c> or <c>Unsupported value: "Foo": supported values: "HTTP", "HTTPS"</c>.
/// </summary>
public sealed record SchemaError(string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}
