namespace Causeway.Translation.Ir;

/// <summary>Where a credential is read from.</summary>
public enum CredentialSourceKind { Header, Param, Cookie }
