package io.maskserve.zoo;

/** Name and version of a model version in the zoo. */
public record ModelKey(String name, String version) {
  public ModelKey {
    ModelNames.requireValidName(name);
    ModelNames.requireValidVersion(version);
  }

  @Override
  public String toString() {
    return name + ":" + version;
  }
}
