namespace Causeway.Model.Schema.Cel;

/// <summary>A CEL evaluation (runtime) error, e.g. <c>no such key: foo</c>.</summary>
internal sealed class CelException(string message) : Exception(message);

/// <summary>A CEL compile-time error: syntax error or use of something this interpreter does not support.</summary>
internal sealed class CelCompileException(string message) : Exception(message);
