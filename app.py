from heritage import create_app

app = create_app()
