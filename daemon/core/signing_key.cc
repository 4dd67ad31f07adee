#include "core/signing_key.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "os/atomic_file.h"

namespace retention {

struct SigningKey::Pkey {
  EVP_PKEY* key = nullptr;
  ~Pkey() { EVP_PKEY_free(key); }
};

namespace {

constexpr size_t kMaxKeyFile = 16 * 1024;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, CtxFree>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : "";
}

StatusOr<std::string> PublicPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return Status::IoError("cannot encode the public key (OpenSSL)");
  }
  return BioText(bio.get());
}

StatusOr<std::string> PrivatePem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0,
                                       nullptr, nullptr) != 1) {
    return Status::IoError("cannot encode the private key (OpenSSL)");
  }
  return BioText(bio.get());
}

EVP_PKEY* ReadPrivate(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
             : nullptr;
}

EVP_PKEY* ReadPublic(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr)
             : nullptr;
}

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                data, static_cast<int>(size));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

// Decodes base64 without padding tricks: the length must be a multiple of 4.
bool Unbase64(std::string_view text, std::string* out) {
  if (text.empty() || text.size() % 4 != 0) return false;
  out->assign(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                                reinterpret_cast<const unsigned char*>(
                                    text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return false;
  size_t pad = 0;
  if (text.back() == '=') ++pad;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  out->resize(static_cast<size_t>(n) - pad);
  return true;
}

StatusOr<EVP_PKEY*> Generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) {
    return Status::IoError("cannot create an Ed25519 key (OpenSSL)");
  }
  return key;
}

}  // namespace

SigningKey::SigningKey(std::unique_ptr<Pkey> key, std::string public_pem)
    : key_(std::move(key)), public_pem_(std::move(public_pem)) {}
SigningKey::~SigningKey() = default;
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;

StatusOr<SigningKey> SigningKey::LoadOrCreate(Filesystem& fs,
                                              const std::string& state_dir) {
  return Open(fs, state_dir, true);
}

StatusOr<SigningKey> SigningKey::Load(Filesystem& fs,
                                      const std::string& state_dir) {
  return Open(fs, state_dir, false);
}

StatusOr<SigningKey> SigningKey::Open(Filesystem& fs,
                                      const std::string& state_dir,
                                      bool create) {
  const std::string private_path = state_dir + "/" + kPrivateKeyFile;
  const std::string public_path = state_dir + "/" + kPublicKeyFile;
  auto pkey = std::make_unique<Pkey>();
  StatusOr<std::string> pem = ReadWholeFile(fs, private_path, kMaxKeyFile);
  if (pem.ok()) {
    pkey->key = ReadPrivate(*pem);
    if (pkey->key == nullptr || EVP_PKEY_get_id(pkey->key) != EVP_PKEY_ED25519) {
      return Status::Corruption(private_path +
                                " is not an Ed25519 private key in PEM: "
                                "restore it from a backup, or move it aside "
                                "to create a new key (and publish the new "
                                "public key)");
    }
  } else if (pem.status().IsNotFound() && create) {
    StatusOr<EVP_PKEY*> made = Generate();
    if (!made.ok()) return made.status();
    pkey->key = *made;
    StatusOr<std::string> text = PrivatePem(pkey->key);
    if (!text.ok()) return text.status();
    RETENTION_RETURN_IF_ERROR(
        WriteFileAtomically(fs, private_path, *text, 0600));
  } else {
    return pem.status();
  }
  StatusOr<std::string> public_pem = PublicPem(pkey->key);
  if (!public_pem.ok()) return public_pem.status();
  StatusOr<std::string> stored = ReadWholeFile(fs, public_path, kMaxKeyFile);
  if (stored.ok() && *stored != *public_pem) {
    return Status::Corruption(public_path + " does not match " +
                              private_path +
                              ": one of them was replaced; restore both "
                              "from the same backup");
  }
  if (!stored.ok() && create) {
    if (!stored.status().IsNotFound()) return stored.status();
    RETENTION_RETURN_IF_ERROR(
        WriteFileAtomically(fs, public_path, *public_pem, 0644));
  }
  return SigningKey(std::move(pkey), std::move(*public_pem));
}

StatusOr<std::string> SigningKey::Sign(std::string_view message) const {
  MdCtx ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  size_t size = sizeof sig;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->key) !=
          1 ||
      EVP_DigestSign(ctx.get(), sig, &size,
                     reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    return Status::IoError("Ed25519 signing failed (OpenSSL)");
  }
  return Base64(sig, size);
}

StatusOr<bool> VerifySignature(std::string_view public_pem,
                               std::string_view message,
                               std::string_view signature) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      ReadPublic(public_pem), EVP_PKEY_free);
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument("not an Ed25519 public key in PEM");
  }
  std::string raw;
  if (!Unbase64(signature, &raw)) return false;
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr,
                                   key.get()) != 1) {
    return Status::IoError("Ed25519 verification failed (OpenSSL)");
  }
  return EVP_DigestVerify(
             ctx.get(), reinterpret_cast<const unsigned char*>(raw.data()),
             raw.size(), reinterpret_cast<const unsigned char*>(message.data()),
             message.size()) == 1;
}

StatusOr<std::string> PublicKeyFingerprint(std::string_view public_pem) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      ReadPublic(public_pem), EVP_PKEY_free);
  unsigned char* der = nullptr;
  const int size = key ? i2d_PUBKEY(key.get(), &der) : -1;
  if (size <= 0) return Status::InvalidArgument("not a public key in PEM");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  const int hashed = EVP_Digest(der, static_cast<size_t>(size), digest,
                                &digest_size, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  if (hashed != 1) return Status::IoError("SHA-256 failed (OpenSSL)");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "SHA256:";
  for (unsigned int i = 0; i < digest_size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0f];
  }
  return out;
}

}  // namespace retention
