namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary><c>--access-log json|text|off</c>: Envoy Gateway's default JSON fields, or Envoy's default text line.</summary>
public enum AccessLogFormat
{
    Off,
    Json,
    Text,
}
