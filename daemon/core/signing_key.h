// SigningKey: the daemon's Ed25519 key pair (OpenSSL EVP), which signs
// ledger checkpoints and erasure receipts so that a copy kept off the host
// can later prove what the ledger said. The private key lives in
// state_dir/checkpoint.key (PKCS#8 PEM, mode 0600, never printed), the
// public key beside it in state_dir/checkpoint.pub (SubjectPublicKeyInfo
// PEM, what `openssl pkeyutl -verify -pubin -inkey` reads).
//
// Threading: a loaded key is immutable; Sign() is safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "os/filesystem.h"

namespace retention {

inline constexpr char kPrivateKeyFile[] = "checkpoint.key";
inline constexpr char kPublicKeyFile[] = "checkpoint.pub";

class SigningKey {
 public:
  ~SigningKey();
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;

  // Reads the key pair in `state_dir`, creating both files at the first
  // start. A private key without its public file gets the public file
  // back; a public file that does not match the private key is an error
  // (someone replaced one of them).
  static StatusOr<SigningKey> LoadOrCreate(Filesystem& fs,
                                           const std::string& state_dir);
  // The same, read-only: never writes a file. kNotFound when there is no
  // private key (a copy of the state directory without it).
  static StatusOr<SigningKey> Load(Filesystem& fs,
                                   const std::string& state_dir);

  // The Ed25519 signature of `message`, base64.
  StatusOr<std::string> Sign(std::string_view message) const;
  const std::string& public_pem() const { return public_pem_; }

 private:
  struct Pkey;
  SigningKey(std::unique_ptr<Pkey> key, std::string public_pem);
  static StatusOr<SigningKey> Open(Filesystem& fs,
                                   const std::string& state_dir, bool create);

  std::unique_ptr<Pkey> key_;
  std::string public_pem_;
};

// Checks a base64 Ed25519 `signature` of `message` against a public key in
// PEM. kInvalidArgument when the key cannot be read; OK(false) when the
// signature does not verify.
StatusOr<bool> VerifySignature(std::string_view public_pem,
                               std::string_view message,
                               std::string_view signature);

// "SHA256:" and the hex SHA-256 of the public key's DER encoding (the
// SubjectPublicKeyInfo): what `openssl pkey -pubin -outform DER | sha256sum`
// prints for it. kInvalidArgument when `public_pem` is not a public key.
StatusOr<std::string> PublicKeyFingerprint(std::string_view public_pem);

}  // namespace retention
