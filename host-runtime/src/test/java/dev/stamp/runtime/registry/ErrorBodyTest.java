package dev.stamp.runtime.registry;

import static dev.stamp.runtime.registry.LocalImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorBodyTest {

  @Test
  void takesCodeAndMessageOfTheFirstSpecError() {
    ErrorBody e =
        ErrorBody.parse(
            utf8(
                "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\","
                    + "\"detail\":{\"Tag\":\"1\"}},{\"code\":\"DENIED\"}]}"),
            RegistryErrorCode.UNKNOWN);
    assertThat(e).isEqualTo(new ErrorBody(RegistryErrorCode.MANIFEST_UNKNOWN, "manifest unknown"));
  }

  @Test
  void tokenServerShapesAndPlainTextKeepTheFallbackCode() {
    assertThat(
            ErrorBody.parse(
                utf8("{\"details\":\"incorrect username or password\"}"),
                RegistryErrorCode.UNAUTHORIZED))
        .isEqualTo(new ErrorBody(RegistryErrorCode.UNAUTHORIZED, "incorrect username or password"));
    assertThat(
            ErrorBody.parse(
                utf8("{\"error\":\"invalid_grant\",\"error_description\":\"token expired\"}"),
                RegistryErrorCode.UNAUTHORIZED))
        .isEqualTo(new ErrorBody(RegistryErrorCode.UNAUTHORIZED, "token expired"));
    assertThat(ErrorBody.parse(utf8("\n  upstream gone\nmore"), RegistryErrorCode.UNKNOWN))
        .isEqualTo(new ErrorBody(RegistryErrorCode.UNKNOWN, "upstream gone"));
    assertThat(ErrorBody.parse(new byte[0], RegistryErrorCode.BLOB_UNKNOWN))
        .isEqualTo(new ErrorBody(RegistryErrorCode.BLOB_UNKNOWN, null));
  }

  @Test
  void unknownCodeNamesFallBackToTheStatusCode() {
    assertThat(
            ErrorBody.parse(
                    utf8("{\"errors\":[{\"code\":\"SOMETHING_NEW\",\"message\":\"m\"}]}"),
                    RegistryErrorCode.DENIED)
                .code())
        .isEqualTo(RegistryErrorCode.DENIED);
    assertThat(RegistryErrorCode.of("toomanyrequests"))
        .isEqualTo(RegistryErrorCode.TOOMANYREQUESTS);
    assertThat(RegistryErrorCode.ofStatus(404, RegistryErrorCode.BLOB_UNKNOWN))
        .isEqualTo(RegistryErrorCode.BLOB_UNKNOWN);
  }
}
